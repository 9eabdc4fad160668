\ Every key instruction, with its operands as KeyInsn's Display prints them.
\ expect: 0001 7003 7081 7102 7180 7201 7282 7300 7380 7400 7480 7500 7580 7600 7680
\ expect: 7700 7780 7800 7885 791f 79a5 7a40 7a80 7b00 7ba0 7c60 7c80 7d00
: main
  bsel b3 nsel n1 bcopy b2 ncopy n0 bkey= b1 nkey= n2 bweaken nweaken
  b? n? faults b@ b! bc@ bc! bxchg bxadd
  nb@ 5 nb! 31 nn@ 5 n1 nn! 0 n2 nb@i nb!i nn@i n1 nn!i n3 balloc nalloc
;fallthru
