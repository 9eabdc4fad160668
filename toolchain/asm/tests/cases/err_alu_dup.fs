\ error: 3:14 second T' code
\ kind: bad_operand
: main alu(T,T) ;
