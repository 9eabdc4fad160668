\ A label at the end of a definition is a branch target: no folding.
\ expect: 0003 6011 608c 4001 0002
\ symbol: f-end label $0004
: f dup label f-end ;
: main f jmp f-end ;fallthru
