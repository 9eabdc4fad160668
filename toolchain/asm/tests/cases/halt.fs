\ halt is a jump to itself.
\ expect: 0001 8001 0002 608c
: main 1 halt ;
