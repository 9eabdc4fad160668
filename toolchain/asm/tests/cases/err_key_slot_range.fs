\ error: 3:12 slot 32 out of range
\ kind: bad_operand
: main nb@ 32 ;
