\ smp.fs — several cores (docs/architecture.md §6): who am I, how many of us,
\ starting and stopping cores, and a spin lock and a barrier on words of the
\ current block, built on the atomic bxchg and bxadd.

: core-id ( -- k )  $4000 io@ ;
: #cores ( -- n )  $0200 io@ dup 0= if drop 1 then ;   \ a one-core build reads 0
: running ( -- mask )  $0100 io@ ;
: core>ctl ( k -- x )              \ k in bits 15:13, as the control ports take it
    2* 2* 2* 2* 2* 2* 2* 2* 2* 2* 2* 2* 2* ;
: start ( xt k -- )  core>ctl or $0100 io! ;   \ core k runs from xt
: stop ( k -- )  core>ctl $0200 io! ;

\ A spin lock in word i of the current block: 0 free, 1 taken.
: lock ( i -- )  begin 1 over bxchg 0= until drop ;
: unlock ( i -- )  0 swap b! ;

\ A barrier for n cores on word i of the current block, reusable: every arrival
\ adds one, and each core waits for the count to reach its own goal, n more
\ each time (`goal` is in each core's own RAM).
variable goal
: barrier ( n i -- )
    1 over bxadd drop                  ( n i )
    swap goal @ + dup goal !           ( i goal )
    begin over b@ over - $8000 and 0= until   \ until count - goal >= 0
    drop drop ;
