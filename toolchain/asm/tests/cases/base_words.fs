\ Every canonical base word, in j1k_isa's ALU_WORDS order.
\ expect: 0001 6000 6203 6c03 6503 6303 6403 6600 6703 6803 6f03 6110 6011 6103 6111 6003
\ expect: 6127 6b1d 6b11 6900 6a00 6e11 608c 6311 6811 6711 6411 6211 6f11 6511 6c11
\ expect: 6024 6300 6800 6700 6400 6200 6f00 6500 600c 6033 6040
: main
  noop + - xor and or invert = < u< swap dup drop over nip
  >r r> r@ 2/ 2* depth exit 2dupand 2dup< 2dup= 2dupor 2dup+ 2dupu< 2dupxor 2dup-
  dup>r overand over> over= overor over+ overu> overxor rdrop tuck! hack
;fallthru
