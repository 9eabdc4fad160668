\ scan.fs — a parallel search for a word in 32 blocks of 128 words (4,096
\ words) reached through the block slots of one node. Core 0 fills them with a
\ pseudo-random sequence (x := 13x + 7 mod 2^16, from x = 1) and plants the
\ word sought at a few places; then every core scans the blocks id, id + n,
\ id + 2n, ... (n = #cores), counting the matches and keeping the first, in
\ words of its own in a result block; after a barrier core 0 prints the total
\ and the first place (block * 128 + index). The same on any number of cores.
include lib/io.fs
include lib/smp.fs

32 constant blocks
$2a5b constant sought

variable x  variable found  variable first
: 13* ( n -- 13n )  dup 2* 2* 2* over 2* 2* + + ;
: next ( -- v )  x @ 13* 7 + dup x ! ;
: plant ( place -- )  dup 2/ 2/ 2/ 2/ 2/ 2/ 2/ nb@i  127 and sought swap b! ;

: fill ( -- )                       \ core 0: the data, in the node in n1
    nsel n1 1 x !
    0 begin dup blocks < while
        balloc drop dup nb!i
        0 begin dup 128 < while next over b! 1+ repeat drop
        1+
    repeat drop
    4000 plant  77 plant  1234 plant  2222 plant  2223 plant ;

: scan-block ( blk -- )
    dup nb@i
    0 begin dup 128 < while
        dup b@ sought = if
            found @ 1+ found !
            first @ -1 = if over 2* 2* 2* 2* 2* 2* 2* over + first ! then
        then
        1+
    repeat drop drop ;

: work ( -- )
    0 found !  -1 first !
    nsel n0 nn@ 0 n1  nsel n1 bsel b0
    core-id begin dup blocks < while dup scan-block #cores + repeat drop
    bsel b1 nsel n0 nb@ 0                 \ the result block: words 2k, 2k+1 for core k
    found @ core-id 2* b!  first @ core-id 2* 1+ b!
    #cores 127 barrier ;

: worker  work halt ;

: umin ( a b -- min )  over over u< if drop else swap drop then ;
: main
    init
    nsel n1 nalloc drop  nsel n0 nn! 0 n1  fill
    bsel b1 balloc drop nsel n0 nb! 0
    1 begin dup #cores < while ['] worker over start 1+ repeat drop
    work
    bsel b1  0 -1                          ( total first )
    0 begin dup #cores < while
        >r  swap r@ 2* b@ +  swap r@ 2* 1+ b@ umin  r> 1+
    repeat drop
    swap . . cr halt ;
