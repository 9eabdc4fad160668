\ listing: 0000 0000  0001  jmp $1                    \ entry: jmp main
\ listing: main: (word)
\ listing: 0001 0002  8005  $5                        
\ listing: cases/listing.fs:8  : main 5 dup + ;
\ listing: word byte  insn  disassembly               source
\ listing: 0003 0006  628f  alu(T+N,d-1,r-1,RET)
\ listing: \ main word $0002
: main 5 dup + ;
