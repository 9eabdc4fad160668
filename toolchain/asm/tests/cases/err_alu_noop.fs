\ error: 3:8 has no T' code
\ kind: bad_operand
: main alu(d+1,r-1) ;
