\ io.fs — console words shared by the examples.
\ The UART is io port $1000 (data) and $2000 (status: bit 0 TX ready, bit 1 RX valid).

: init ( -- )          \ any io write opens the RAM write gate (docs/isa.md §6)
    0 0 io! ;

: emit ( c -- )
    begin $2000 io@ 1 and until
    $1000 io! ;
: key? ( -- f )  $2000 io@ 2 and ;
: key ( -- c )   begin key? until $1000 io@ ;

: cr     ( -- )  10 emit ;
: space  ( -- )  32 emit ;
: 1+     ( n -- n+1 )  1 + ;
: 1-     ( n -- n-1 )  1 - ;
: 0=     ( n -- f )  0 = ;
: rot    ( a b c -- b c a )  >r swap r> swap ;
: 2drop  ( a b -- )  drop drop ;

: c@ ( a -- c )                \ RAM bytes are little-endian within a word
    dup @ swap 1 and if 2/ 2/ 2/ 2/ 2/ 2/ 2/ 2/ then $ff and ;
: count ( a -- a+1 n )  dup 1+ swap c@ ;
: type ( a n -- )
    begin dup while swap dup c@ emit 1+ swap 1- repeat 2drop ;
: print ( counted-string -- )  count type ;

\ Unsigned decimal, no leading zeros. Division by repeated subtraction: the
\ J1 has no divider and these numbers are small.
variable started
: digit ( u p -- u' )
    >r 0
    begin over r@ u< invert while 1+ swap r@ - swap repeat
    dup started @ or r> 1 = or if [char] 0 + emit -1 started ! else drop then ;
: u. ( u -- )
    0 started !
    10000 digit 1000 digit 100 digit 10 digit 1 digit drop ;
: . ( u -- )  u. space ;

\ Unsigned multiply, shift and add.
: * ( a b -- a*b )
    0 >r
    begin dup while
        dup 1 and if over r> + >r then
        swap 2* swap 2/ $7fff and
    repeat 2drop r> ;
