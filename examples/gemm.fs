\ gemm.fs — C = A x B for 32 x 32 matrices of 16-bit words (arithmetic mod
\ 2^16), blocked: each matrix is a node whose block slots 0..15 hold its 8 x 8
\ tiles (tile row r, column c in slot 4r + c; element (i, j) of a tile in word
\ 8i + j of its block). Root-node node slots 0, 1, 2 hold A, B and C. Core 0
\ builds A[i][j] = i + j and B[i][j] = i - j + 3, then every core computes
\ the C tiles t = id, id + n, id + 2n, ... (n = #cores), meets the others at a
\ barrier, and core 0 prints the sum of C's elements, C[0][0] and C[31][31].
include lib/io.fs
include lib/smp.fs

4 constant tiles                  \ tiles per side
8 constant side                   \ elements per tile side

\ Each core's own variables (its own RAM).
variable ti  variable tj  variable kt  variable r  variable c  variable s  variable which

: 8* ( n -- 8n )  2* 2* 2* ;
: tile# ( row col -- slot )  swap 2* 2* + ;

\ a * b mod 2^16 in sixteen rounds whatever the operands, so that every tile
\ costs the same and the work splits evenly (io.fs's `*` stops early).
: mul ( a b -- a*b )
    0 swap 16 >r                              ( a acc b )
    begin r@ while
        dup 1 and if >r over + r> then
        2/ $7fff and  rot 2* rot rot
        r> 1- >r
    repeat r> drop drop swap drop ;

\ ---- one tile product: C (b3) += A (b1) x B (b2)
: a[r,k] ( k -- x )  r @ 8* +  bsel b1 b@ ;
: b[k,c] ( k -- x )  8* c @ +  bsel b2 b@ ;
: dot ( acc -- acc' )
    0 begin dup side < while
        dup a[r,k] over b[k,c] mul rot + swap 1+
    repeat drop ;
: c[r,c] ( -- i )  r @ 8* c @ + ;
: tile-product ( -- )
    0 r ! begin r @ side < while
        0 c ! begin c @ side < while
            bsel b3 c[r,c] b@  dot  bsel b3 c[r,c] b!
            c @ 1+ c !
        repeat
        r @ 1+ r !
    repeat ;

: c-tile ( t -- )                 \ C tile t := the sum over kt of A(ti,kt) B(kt,tj)
    dup 2/ 2/ ti !  3 and tj !
    bsel b3 nsel n3 ti @ tj @ tile# nb@i
    0 kt ! begin kt @ tiles < while
        bsel b1 nsel n1 ti @ kt @ tile# nb@i
        bsel b2 nsel n2 kt @ tj @ tile# nb@i
        tile-product
        kt @ 1+ kt !
    repeat ;

: work ( -- )                     \ this core's C tiles, then the barrier
    nsel n0 nn@ 0 n1 nn@ 1 n2 nn@ 2 n3
    core-id begin dup 16 < while dup c-tile #cores + repeat drop
    bsel b4 nsel n0 nb@ 0  #cores 0 barrier ;

: worker  work halt ;

\ ---- set-up and result, on core 0
: new-matrix ( slot -- )          \ a node of 16 fresh tiles, into root node slot `slot`
    nsel n1 nalloc drop
    0 begin dup 16 < while bsel b0 balloc drop dup nb!i 1+ repeat drop
    nsel n0 nn!i n1 ;
: row ( w -- i )  2/ 2/ 2/  s @ 2/ 2/ 8* + ;
: col ( w -- j )  7 and  s @ 3 and 8* + ;
: value ( w -- x )  dup row swap col  which @ if - 3 + else + then ;
: fill ( -- )                     \ the matrix whose node is in n1
    0 s ! begin s @ 16 < while
        bsel b0 nsel n1 s @ nb@i
        0 begin dup 64 < while dup value over b! 1+ repeat drop
        s @ 1+ s !
    repeat ;
: checksum ( -- sum )             \ of C, whose node is in n3
    0  0 s ! begin s @ 16 < while
        bsel b3 nsel n3 s @ nb@i
        0 begin dup 64 < while dup b@ rot + swap 1+ repeat drop
        s @ 1+ s !
    repeat ;
: element ( slot w -- x )  swap bsel b3 nsel n3 nb@i b@ ;

: main
    init
    0 new-matrix  0 which ! fill
    1 new-matrix  1 which ! fill
    2 new-matrix
    bsel b4 balloc drop nsel n0 nb! 0          \ the barrier's block
    1 begin dup #cores < while ['] worker over start 1+ repeat drop
    work
    checksum u. space  0 0 element u. space  15 63 element u. cr halt ;
