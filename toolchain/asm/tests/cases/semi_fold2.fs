\ x: else/then -> exit    y: io write folds    z: r-2 -> exit
\ q: RET already -> exit  w: r+1 -> exit       v: ;fallthru adds nothing
\ main: until (jz) -> exit
\ expect: 000f 8000 2005 8001 0006 8002 608c 60cf 6008 608c 6080 608c 6004 608c
\ expect: 4001 6011 200f 608c
: x 0 if 1 else 2 then ;
: y alu(T,N->io[T],d-1) ;
: z alu(T,r-2) ;
: q alu(T,RET) ;
: w alu(T,r+1) ;
: v x ;fallthru
: main begin dup until ;
