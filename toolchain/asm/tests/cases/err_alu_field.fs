\ error: 3:18 unknown alu(...) field `frob`
\ kind: bad_operand
: main alu(N,d-1,frob) ;
