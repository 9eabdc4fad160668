\ error: 3:3 out of range
\ kind: literal_out_of_range
1 $10000 constant x
