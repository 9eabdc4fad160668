\ error: 3:10 `nb@` needs a slot
\ kind: missing_operand
: main 1 nb@