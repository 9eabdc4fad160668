\ block_array.fs — an array of 1000 words, larger than one 128-word block,
\ reached through the block-key slots of the root node: element i lives in
\ block slot i/128 at index i mod 128. No bounds check exists anywhere: the
\ block index is masked by the hardware, and the slot index by the node size.
include lib/io.fs

1000 constant n

: >slot ( i -- slot )  2/ 2/ 2/ 2/ 2/ 2/ 2/ ;
: a! ( x i -- )  dup >slot nb@i b! ;
: a@ ( i -- x )  dup >slot nb@i b@ ;

: setup ( -- )             \ eight fresh blocks into root-node slots 0..7
    0 begin dup 8 < while balloc drop dup nb!i 1+ repeat drop ;
: fill ( -- )              \ a[i] = 3i + 1
    0 begin dup n < while dup dup 2* + 1+ over a! 1+ repeat drop ;
: sum ( -- s )
    0 0 begin dup n < while dup a@ rot + swap 1+ repeat drop ;

: main
    init setup fill
    sum .  0 a@ .  127 a@ .  128 a@ .  999 a@ .
    cr halt ;
