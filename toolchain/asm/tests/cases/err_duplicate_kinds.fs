\ error: 4:12 `x` is already defined
\ kind: duplicate_name
variable x
5 constant x
