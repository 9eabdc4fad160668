\ boot.fs — the j1k board firmware: the serial bootloader (docs/protocol.md).
\
\ It lives at the top of RAM, words $b00..$fff, and word 0 always jumps to it. After reset it
\ opens the write gate, says "j1k BOARD ready", and listens for the loader for a window of
\ about 1.8 million cycles (100 ms at 18 MHz). A frame with a good header CRC commits it to the
\ loader until START or RESET; otherwise, when the window passes, it runs the stored program by
\ jumping to the entry slot, which holds the program's own word 0.
\
\ `j1k build` and `j1k sim` carry this file built in and patch the `board-name` line and the
\ INFO constants below (cores, worker-ram, clock-khz, block-words, node-slots, blocks, nodes)
\ with the build's values.
\
\ On several cores it runs on core 0 and reaches the others' RAM through the remote port
\ (io $0400/$0800, docs/architecture.md §6): ADDR's bits 15:13 name the core of a WRITE,
\ CHECK or READ, and such a core is stopped first, as only a stopped core's RAM is reachable.
\ Self-contained (no include).

$1600 org
label entry  jmp idle             \ word $b00: the program's word 0 (its `jmp main`) goes here
$0001 ,                           \ word $b01: `jmp 1`, so that any word 0 (a literal, an ALU
                                  \ word, a call, a conditional jump) goes on at word 1

1 constant cores
\ words of RAM of cores 1.. (core 0 has 4096): their RAM takes the low address bits
4096 constant worker-ram
0 constant clock-khz
1 constant isa-version
128 constant block-words
32 constant node-slots
256 constant blocks
64 constant nodes
$b00 constant boot-start          \ first bootloader word: programs use words 0..$aff
$1600 constant entry-a            \ byte address of the entry slot
cores 1 - 13 lshift constant last-ctl   \ the last core, in bits 15:13 as ADDR and io take it
127 constant max-words            \ data words per WRITE
1 constant window-hi              \ the listening window, in polls of the idle RX loop:
1130 constant window-lo             \ window-hi * 65536 + window-lo, 27 cycles each (see docs/protocol.md §5)

variable crc
create valid -1 ,                 \ the stored program is whole: cleared by the first WRITE,
                                  \ set by START; only a whole program runs when the window
                                  \ passes (RAM, so it survives a reset; set in a bitstream)
variable committed                \ a good frame header has arrived: stay in the loader
variable whi  variable wlo        \ the window's countdown
variable rpos variable rcnt       \ replay of a bad header's bytes (resynchronisation)
variable cmd  variable seq  variable len  variable addr
variable tgt  variable wa         \ ADDR's core (bits 15:13) and word (bits 12:0)
variable ptr  variable bad
variable cend                     \ where CHECK's sums end (a fetch address)
create hbuf 14 allot              \ the 7 header bytes after SYNC, one per word

\ The RX ring. The hardware UART keeps one received byte, and the next one overwrites it
\ 10 bit times later (180 cycles at 1 Mbaud on an 18 MHz board). While the board sends, the
\ host's next frame keeps coming (two WRITEs in flight), so every wait polls RX into this ring,
\ and `key` takes from it first. 32 slots of one byte a word, 64-byte aligned so that a
\ pointer wraps with a mask (the variables above fill the words before it).
variable rin  variable rout       \ where the next byte goes, where the oldest is
variable rn                       \ bytes in the ring
here 63 + $ffc0 and org
create ring 64 allot
$3f constant ring-mask
32 constant ring-max

create board-name ," sim"         \ after the ring: its length moves no alignment

: 0=  ( x -- f )  0 = ;
: u>  ( a b -- f )  swap u< ;
: 2dup ( a b -- a b a b )  over over ;
: 8lshift ( x -- x<<8 )  2* 2* 2* 2* 2* 2* 2* 2* ;
: 8rshift ( x -- x>>8 )  2/ 2/ 2/ 2/ 2/ 2/ 2/ 2/ $ff and ;
: c@ ( a -- c )                   \ bytes are little-endian within a word
    dup @ swap 1 and if 8rshift exit then $ff and ;
: clear ( -- )  begin depth while drop repeat ;
: go ( byte-addr -- )             \ jump there with an empty data stack and T = 0,
    >r clear 0 nip ;              \ as after reset

\ CRC-16/CCITT-FALSE, one byte, table-free:
\   x = (crc >> 8) ^ c;  x ^= x >> 4;  crc = (crc << 8) ^ (x << 12) ^ (x << 5) ^ x
: crc+ ( c -- )
    crc @ dup >r 8rshift xor
    dup 2/ 2/ 2/ 2/ xor
    r> 8lshift over xor
    over 2* 2* 2* 2* 2* dup >r xor
    r> 2* 2* 2* 2* 2* 2* 2* xor
    nip crc ! ;

: run-stored ( -- )              \ the window passed: the program, if it is whole
    valid @ if entry-a go then
    -1 committed ! ;
: tick ( -- )                     \ one idle poll inside the window
    committed @ if exit then
    wlo @ 1 - dup wlo ! 0= if
        whi @ dup 0= if run-stored then 1 - whi !
    then ;

: ring+ ( p -- p' )  2 + ring-mask and ring or ;
: poll ( -- )                     \ a byte waiting in RX goes into the ring, if it has room
    \ (a full ring leaves it in RX: lost to the next byte on a board, waiting in the simulator)
    $2000 io@ 2 and if
        rn @ ring-max u< if
            $1000 io@ rin @ !  rin @ ring+ rin !  rn @ 1 + rn !
        then
    then ;
: take ( -- c )                   \ the oldest byte of the ring (not empty)
    rout @ dup @ swap ring+ rout !  rn @ 1 - rn ! ;
: emit ( c -- )  begin poll $2000 io@ 1 and until $1000 io! ;
: hb! ( c i -- )  2* hbuf + ! ;
: hb@ ( i -- c )  2* hbuf + @ ;
\ Input in order: a bad header's replayed bytes, then the ring, then RX itself. Whatever it
\ takes, it polls first, so RX is read at least once a key (the callers do less than a
\ byte time of work between keys). Straight from RX when nothing waits: the common case.
: key ( -- c )
    rcnt @ if
        poll  rpos @ dup 1 + rpos !  hb@  rcnt @ 1 - rcnt ! exit
    then
    rn @ if poll take exit then
    label rx-wait                 \ (the firmware tests count the turns of this loop)
    begin $2000 io@ 2 and 0= while tick repeat
    $1000 io@ ;

\ Output with the running CRC.
: out ( c -- )  dup crc+ emit ;
: out16 ( w -- )  dup $ff and out 8rshift out ;
: crc-out ( -- )  crc @ dup $ff and emit 8rshift emit ;
: respond ( len cmd -- )          \ a response header; leaves crc ready for the payload
    $a5 emit  $ffff crc !
    out seq @ out out addr @ out16 crc-out
    $ffff crc ! ;
: ack ( -- )  0 $80 respond ;
: last-ack ( -- )                 \ START's ACK: a "full" ring stops the polls, so what
    ring-max rn !  ack ;          \ follows stays in RX for the program
: nak ( code -- )  1 $ff respond out crc-out ;

\ Input.
: pkey ( -- c )  key dup crc+ ;
: pcrc? ( -- f )  key key 8lshift or crc @ = ;
: skip ( -- )                     \ drop the payload and its CRC
    len @ dup if
        begin dup while key drop 1 - repeat key drop key
    then drop ;
: header ( -- f )                 \ after SYNC: CMD SEQ LEN ADDR HCRC
    \ The CRC goes byte by byte as the header arrives, so no burst of work follows its
    \ last byte; the payload's first bytes come in meanwhile, so the work from here to
    \ the command's first `key` polls every 100 cycles or so (less than a byte time).
    $ffff crc !
    0 begin dup 7 u< while
        key over hb!  dup 5 u< if dup hb@ crc+ then  1 +
    repeat drop
    poll  6 hb@ 8lshift 5 hb@ or crc @ = dup if
        poll  0 hb@ cmd !  1 hb@ seq !  2 hb@ len !  4 hb@ 8lshift 3 hb@ or
        dup addr !  dup $e000 and tgt !  $1fff and wa !
    then ;

: word@ ( byte-addr -- w )  dup 0= if drop entry-a then @ ;

\ Another core's RAM. ADDR's core must exist (NAK $05 otherwise); it is stopped, and the
\ loader waits until it has (its key instruction may hold it a few hundred cycles), polling.
: no-core? ( -- f )  tgt @ last-ctl u> ;
: stop-target ( -- )
    tgt @ dup 0= if drop exit then
    dup $0200 io!
    1 swap begin dup while >r 2* r> $2000 - repeat drop      ( bit )
    begin poll $0100 io@ over and 0= until drop ;
: remote ( wa -- )  tgt @ or $0400 io! ;     \ the remote pointer at the addressed core's word

: do-info
    len @ if skip 2 nak exit then
    board-name c@ 22 + $81 respond
    1 out  isa-version out16  cores out  worker-ram out16  boot-start out16  max-words out
    block-words out16  node-slots out16  blocks out16  nodes out16  clock-khz out16
    entry-a @ out16
    board-name c@ dup out
    board-name 1 + swap begin dup while over c@ out swap 1 + swap 1 - repeat drop drop
    crc-out ;

: ram-end ( -- n )  tgt @ if worker-ram else 4096 then ;   \ the addressed core's RAM words

: do-write
    len @ dup 0= swap 1 and or if skip 2 nak exit then
    wa @ boot-start u< 0=  wa @ len @ 2/ + boot-start u>  or if skip 3 nak exit then
    wa @ len @ 2/ + ram-end u> if skip 3 nak exit then
    no-core? if skip 5 nak exit then
    stop-target  poll
    $ffff crc !  0 bad !
    tgt @ if                                \ another core: word by word through the port
        wa @ ptr !
        len @ 2/ begin dup while
            pkey pkey 8lshift or
            ptr @ dup remote  over $0800 io!  remote  $0800 io@ = 0= if -1 bad ! then
            ptr @ 1 + ptr !
            1 -
        repeat drop
    else                                    \ core 0: its stored program is no longer whole
        0 valid !  wa @ 2* ptr !
        len @ 2/ begin dup while
            pkey pkey 8lshift or
            ptr @ dup 0= if drop entry-a then
            2dup !  @ = 0= if -1 bad ! then
            ptr @ 2 + ptr !
            1 -
        repeat drop
    then
    pcrc? 0= if 1 nak exit then
    bad @ if 6 nak exit then
    ack ;

: range? ( n -- n f )             \ wa .. wa+n-1 inside the addressed core's RAM, n >= 1
    dup wa @ + ram-end u>  over 0= or  over ram-end u> or  wa @ ram-end u< 0= or  0= ;

: fetch ( fa -- w )  >r ;        \ fa = $2000 or a byte address: the J1a fetch path

\ CHECK's digest: sum = the words added, sum2 = the running sums added (both mod 2^16),
\ Fletcher-style: any changed word changes sum, any moved word changes sum2. About 13 cycles
\ a word (four words per turn of the loop), a twelfth of a CRC-16's cost, so the final
\ verify stays short at 1 Mbaud. It does not poll RX: the host sends nothing after a CHECK
\ until the sums come (docs/protocol.md §4), and a poll a turn would cost a fifth more.
: sum1 ( s2 s1 fa -- s2' s1' fa' )        \ one word
    dup>r fetch +  swap over+ swap  r> 2 + ;
: sums ( s2 s1 fa n -- s2' s1' )          \ n words from fetch address fa
    dup 3 and >r  2* over + cend !
    r> begin dup while >r sum1 r> 1 - repeat drop
    begin dup cend @ xor while             \ four words a turn
        dup>r fetch +  swap over+ swap
        r@ 2 + fetch +  swap over+ swap
        r@ 4 + fetch +  swap over+ swap
        r@ 6 + fetch +  swap over+ swap
        r> 8 +
    repeat drop ;

: do-check
    len @ 2 = 0= if skip 2 nak exit then
    $ffff crc !  pkey pkey 8lshift or
    pcrc? 0= if drop 1 nak exit then
    range? 0= if drop 3 nak exit then
    no-core? if drop 5 nak exit then
    stop-target
    tgt @ if                                \ another core: through the port, a word a read
        >r 0 0 wa @ remote r>
        begin dup while >r $0800 io@ +  swap over+ swap  r> 1 - repeat drop
    else
        >r 0 0  wa @ 2* $2000 or  r>        ( s2 s1 fa n )
        wa @ 0= if                          \ word 0 is the entry slot
            >r >r drop drop  entry-a @ dup  r> 2 +  r> 1 -
        then
        sums
    then
    swap >r >r  4 $83 respond  r> out16 r> out16  crc-out ;

: do-read
    len @ 1 = 0= if skip 2 nak exit then
    $ffff crc !  pkey
    pcrc? 0= if drop 1 nak exit then
    dup max-words u> if drop 3 nak exit then
    range? 0= if drop 3 nak exit then
    no-core? if drop 5 nak exit then
    stop-target
    dup 2* $84 respond  wa @ ptr !
    begin dup while
        tgt @ if ptr @ remote $0800 io@ else ptr @ 2* word@ then out16
        ptr @ 1 + ptr !  1 -
    repeat drop
    crc-out ;

: do-start
    len @ 1 = 0= if skip 2 nak exit then
    $ffff crc !  pkey
    pcrc? 0= if drop 1 nak exit then
    addr @ boot-start u< 0= if drop 3 nak exit then
    dup cores u< 0= if drop 5 nak exit then
    dup if                        \ another core runs from there; the loader goes on
        13 begin dup while >r 2* r> 1 - repeat drop
        addr @ 2* or  ack  $0100 io! exit
    then
    -1 valid !
    last-ack  addr @ 2* dup 0= if drop entry-a then go ;

: do-reset
    len @ if skip 2 nak exit then
    ack ['] boot go ;             \ bytes already in the ring are kept

: frame ( -- )
    begin key $a5 = until
    header 0= if 0 rpos ! 7 rcnt ! exit then
    -1 committed !  poll
    cmd @ 1 = if do-info exit then
    cmd @ 2 = if do-write exit then
    cmd @ 3 = if do-check exit then
    cmd @ 4 = if do-read exit then
    cmd @ 5 = if do-start exit then
    cmd @ 6 = if do-reset exit then
    skip 4 nak ;

: serve ( -- )  begin frame again ;
: idle ( -- )  -1 committed ! serve ;

: print ( counted-string -- )
    dup c@ begin dup while swap 1 + dup c@ emit swap 1 - repeat drop drop ;
create hello ," j1k "
create ready ," ready"

: boot ( -- )                     \ RESET restarts here: as after reset, the ring kept
    0 4 io!                       \ any io write opens the RAM write gate
    clear
    last-ctl begin dup while dup $0200 io! $2000 - repeat drop   \ only core 0 runs
    0 committed !  0 rcnt !  0 rpos !
    window-hi whi !  window-lo wlo !
    hello print  board-name print  32 emit  ready print  13 emit 10 emit
    1 4 io!
    serve ;
: main  0 4 io!  ring rin !  ring rout !  0 rn !  boot ;   \ RAM writes need the gate open
