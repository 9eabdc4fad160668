\ pipe.fs — a producer and a consumer on two cores, talking through ring
\ buffers in blocks: each ring is one block with its head (the next slot to
\ write, moved only by the producer) in word 0, its tail (the next slot to
\ read, moved only by the consumer) in word 1, and 16 slots from word 2.
\ Core 0 sends 1..40 and then 0 through ring A; core 1 squares each number and
\ sends it back through ring B; core 0, which owns the UART, prints what
\ comes back. One writer per word, so no atomics are needed: the memory model
\ (sequential consistency) orders each slot's write before the head's.
include lib/io.fs
include lib/smp.fs

16 constant size
0 constant head  1 constant tail

\ On the current block, a ring.
: slot ( i -- w )  size 1- and 2 + ;
: full? ( -- f )  head b@ tail b@ - size = ;
: empty? ( -- f )  head b@ tail b@ = ;
: put ( x -- )  head b@ dup >r slot b!  r> 1+ head b! ;
: get ( -- x )  tail b@ dup slot b@ swap 1+ tail b! ;
: put-wait ( x -- )  begin full? 0= until put ;
: get-wait ( -- x )  begin empty? 0= until get ;

: consumer
    nb@ 0 bsel b1 nb@ 1 bsel b0               \ b0 ring A, b1 ring B
    begin
        bsel b0 get-wait
        dup 0= if bsel b1 put-wait halt then  \ pass the end on, and stop
        dup * bsel b1 put-wait
    again ;

create alone ," pipe.fs needs two cores (j1k sim --cores 2)"

variable next
: produce ( -- )                               \ one number, if ring A has room
    next @ 42 < if bsel b0 full? 0= if
        next @ dup 41 = if drop 0 then put
        next @ 1+ next !
    then then ;
: drain ( -- end? )                            \ one result, if ring B has one
    bsel b1 empty? if 0 exit then
    get dup 0= if drop -1 exit then
    . 0 ;

: main
    init  #cores 2 < if alone print cr halt then
    1 next !
    bsel b0 balloc drop nb! 0  bsel b1 balloc drop nb! 1
    ['] consumer 1 start
    begin produce drain until cr halt ;
