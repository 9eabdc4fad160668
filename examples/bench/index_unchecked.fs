\ index_unchecked.fs — the indexing benchmark, unsafe J1a version: the same
\ work on a 128-word array in RAM with no bounds check at all (fast, and wrong
\ for a bad index: the baseline that shows what the software check costs).
include ../lib/io.fs

128 constant n
create arr  256 allot

: >addr ( i -- a )  2* arr + ;

: pass ( -- )
    0 begin dup n < while dup >addr @ over + over >addr ! 1+ repeat drop ;
: checksum ( -- s )
    0 0 begin dup n < while dup >addr @ rot + swap 1+ repeat drop ;

: main
    init
    100 begin dup while pass 1- repeat drop
    checksum . cr halt ;
