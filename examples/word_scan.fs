\ word_scan.fs — scan 4096 words spread over 32 blocks. A fresh node (n1)
\ holds the 32 block keys; the blocks are filled from a 16-bit LCG
\ (x := 5x + 1) and then scanned for the largest word and for the words
\ whose low byte is below 16.
include lib/io.fs

variable x
: rand ( -- r )  x @ dup 2* 2* + 1+ dup x ! ;

: setup ( -- )
    nsel n1 nalloc drop
    0 begin dup 32 < while
        balloc drop dup nb!i
        0 begin dup 128 < while rand over b! 1+ repeat drop
        1+
    repeat drop ;

variable best   variable where   variable small   variable slot
: look ( w pos -- )
    over $ff and 16 u< if small @ 1+ small ! then
    over best @ u< if 2drop exit then
    where ! best ! ;
: scan ( -- )
    0 best !  0 where !  0 small !
    0 begin dup 32 < while
        dup slot !  dup nb@i
        0 begin dup 128 < while
            dup b@  over slot @ 2* 2* 2* 2* 2* 2* 2* +  look 1+
        repeat drop
        1+
    repeat drop ;

: main
    init setup scan
    best @ .  where @ .  small @ .
    cr halt ;
