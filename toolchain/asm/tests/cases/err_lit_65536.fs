\ error: 4:7 literal `65536` out of range
\ kind: literal_out_of_range
: main
  1 2 65536 ;
