\ banner.fs — the default image of `j1k build`: a freshly configured board shows life.
\ It prints "j1k BOARD ready" on the UART, lights LED 0, then echoes every byte it
\ receives (so a terminal at the board's baud rate answers). The bootloader takes its
\ place later.
\
\ `j1k build --board NAME` puts the board's name in the `board-name` line below; as it
\ stands (on the simulator: `j1k sim examples/banner.fs`) it says "j1k sim ready".
\ Self-contained (no include), because the j1k command carries it built in.

create board-name ," sim"
create hello ," j1k "
create ready ," ready"

: init ( -- )  0 0 io! ;          \ any io write opens the RAM write gate
: emit ( c -- )  begin $2000 io@ 1 and until $1000 io! ;
: key ( -- c )   begin $2000 io@ 2 and until $1000 io@ ;
: c@ ( a -- c )                   \ bytes are little-endian within a word
    dup @ swap 1 and if 2/ 2/ 2/ 2/ 2/ 2/ 2/ 2/ then $ff and ;
: print ( counted-string -- )
    dup c@ begin dup while swap 1 + dup c@ emit swap 1 - repeat drop drop ;
: leds ( x -- )  4 io! ;

: main
    init
    hello print  board-name print  32 emit  ready print  13 emit 10 emit
    1 leds
    begin key emit again ;
