\ @ of a computed address calls the helper `$2000 or >r exit`, emitted once
\ after the program.
\ expect: 0001 6011 4003 a000 6403 6127 608c
\ symbol: __fetch helper $0006
\ listing: __fetch: (helper)
: main dup @ ;fallthru
