\ error: 4:5 a byte is -128..255
\ kind: literal_out_of_range
: main ;
300 c,
