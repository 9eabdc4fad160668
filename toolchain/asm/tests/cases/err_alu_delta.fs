\ error: 3:14 bad data-stack delta `d+2`
\ kind: bad_operand
: main alu(T,d+2) ;
