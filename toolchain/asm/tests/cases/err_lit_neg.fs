\ error: 3:8 out of range
\ kind: literal_out_of_range
: main -32769 ;
