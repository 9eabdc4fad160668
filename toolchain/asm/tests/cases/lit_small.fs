\ Literals below $8000 are one instruction: bit 15 set, the value below.
\ expect: 0001 8000 8001 ffff 8005 8fff
: main 0 1 $7fff 5 4095 ;fallthru
