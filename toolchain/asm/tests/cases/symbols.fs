\ symbol: main word $0006
\ symbol: lbl label $000c
\ symbol: v variable $0002
\ symbol: t create $0004
\ symbol: k constant $0003
\ symbol: __fetch helper $000c
\ (lbl names the end of main, where the helper then goes)
variable v
create t 1 ,
3 constant k
: main v @ dup @ ;fallthru
label lbl
