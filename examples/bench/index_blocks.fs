\ index_blocks.fs — the indexing benchmark, block version: 100 passes of
\ a[i] := a[i] + i over a 128-word array in one block, then a checksum.
\ `b@`/`b!` mask the index to the block: no bounds check exists or is needed.
include ../lib/io.fs

128 constant n

: pass ( -- )
    0 begin dup n < while dup b@ over + over b! 1+ repeat drop ;
: checksum ( -- s )
    0 0 begin dup n < while dup b@ rot + swap 1+ repeat drop ;

: main
    init balloc drop
    100 begin dup while pass 1- repeat drop
    checksum . cr halt ;
