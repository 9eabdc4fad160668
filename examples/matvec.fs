\ matvec.fs — y = M v for an 8x8 matrix on blocks: M in block register b0
\ (row-major, 64 words), v in b1, y in b2. M[i][j] = i + j + 1, v[j] = j + 1.
include lib/io.fs

: mat! ( x i -- )  bsel b0 b! ;
: mat@ ( i -- x )  bsel b0 b@ ;
: vec! ( x j -- )  bsel b1 b! ;
: vec@ ( j -- x )  bsel b1 b@ ;
: res! ( x i -- )  bsel b2 b! ;
: res@ ( i -- x )  bsel b2 b@ ;

: setup ( -- )
    bsel b0 balloc drop  bsel b1 balloc drop  bsel b2 balloc drop
    0 begin dup 64 < while
        dup dup 2/ 2/ 2/ swap 7 and + 1+    ( k  i+j+1 )
        over mat! 1+
    repeat drop
    0 begin dup 8 < while dup 1+ over vec! 1+ repeat drop ;

variable row
: dot ( i -- y )
    2* 2* 2* row !
    0 0 begin dup 8 < while
        dup row @ + mat@  over vec@  *  rot + swap 1+
    repeat drop ;

: main
    init setup
    0 begin dup 8 < while dup dot over res! 1+ repeat drop
    0 begin dup 8 < while dup res@ . 1+ repeat drop
    cr halt ;
