\ The `;` rules, one definition each.
\ a: ALU, r delta 0 -> RET, r-1 folded      b: call -> jmp
\ c: then lands at the end -> exit          d: >r (r+1) -> exit
\ e: T->R -> exit    f: empty -> exit       g: key insn -> exit
\ h: RET already -> exit  i: literal -> exit  j: r> (r-1) -> exit
\ k: tuck! (N->[T]) folds   l: jump -> exit   m: + folds
\ expect: 0018 609d 0001 8000 2006 6011 608c 6127 608c 6020 608c 608c 7001 608c
\ expect: 608c 608c 8005 608c 6b1d 608c 60bf 0015 608c 628f 0014
: a dup ;
: b a ;
: c 0 if dup then ;
: d >r ;
: e alu(T,T->R) ;
: f ;
: g bsel b1 ;
: h exit ;
: i 5 ;
: j r> ;
: k tuck! ;
: l halt ;
: m + ;
: main k ;
