\ error: 3:12 target $2000 out of range
\ kind: address_out_of_range
: main jmp $2000 ;
