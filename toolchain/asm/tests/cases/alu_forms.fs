\ The generic form: fields in any order, case-insensitive.
\ expect: 0001 629d 608c 6103 6f02 6d50 6e75 6900 6430 6700 6560 6600 6b00 6300 6800
\ expect: 6c00 6a00 6010
: main
  alu(T+N,T->N,d+1,r-1,RET) ALU(ret,r-1,t) alu(N,d-1) alu(Nu<T,d-2)
  alu(io[T],_IORD_) alu(status,func7,r+1,d+1) alu(T2/) alu(T|N,N->[T])
  alu(N==T) alu(T^N,func6) alu(~T) alu(rT) alu(T&N) alu(N<T) alu(N-T) alu(T2*)
  alu(t,t->n)
;fallthru
