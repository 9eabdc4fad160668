\ error: 4:21 slot 40 out of range
\ kind: bad_operand
40 constant s
: main nn@ 1 n1 nn! s n0 ;
