\ index_checked.fs — the indexing benchmark, plain J1a version: the same
\ work on a 128-word array in RAM, every index checked in software before use
\ (what a safe J1a program must do without keys).
include ../lib/io.fs

128 constant n
create arr  256 allot

: out-of-bounds ( -- )  [char] ! emit halt ;
: >addr ( i -- a )  dup n u< if 2* arr + exit then out-of-bounds ;

: pass ( -- )
    0 begin dup n < while dup >addr @ over + over >addr ! 1+ repeat drop ;
: checksum ( -- s )
    0 0 begin dup n < while dup >addr @ rot + swap 1+ repeat drop ;

: main
    init
    100 begin dup while pass 1- repeat drop
    checksum . cr halt ;
