\ error: 3:3 `constant` needs a name
\ kind: missing_operand
5 constant