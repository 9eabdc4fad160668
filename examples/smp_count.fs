\ smp_count.fs — every core counts to 500 in one shared block twice: with the
\ atomic bxadd, and with b@ 1+ b! under a spin lock. Core 0 shares the block
\ through root-node slot 0, starts the others, works too, waits at a barrier
\ and prints both totals: 500 times the number of cores, twice.
include lib/io.fs
include lib/smp.fs

500 constant rounds
0 constant added      \ the shared block's words
1 constant guarded
2 constant mutex
3 constant gate

: work ( -- )
    nb@ 0                                \ the shared block
    0 begin dup rounds < while
        1 added bxadd drop
        mutex lock  guarded b@ 1+ guarded b!  mutex unlock
        1+
    repeat drop
    #cores gate barrier ;

: worker  work halt ;

: main
    init  balloc drop  nb! 0
    1 begin dup #cores < while ['] worker over start 1+ repeat drop
    work
    added b@ .  guarded b@ .  cr halt ;
