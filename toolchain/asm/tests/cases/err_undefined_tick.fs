\ error: 3:3 undefined name `nothing`
\ kind: undefined_name
' nothing constant x
