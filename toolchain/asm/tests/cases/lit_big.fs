\ Bit 15 set: the complement as a literal, then invert.
\ $8000 -1 65535 -32768 $ffff -2
\ expect: 0001 ffff 6600 8000 6600 8000 6600 ffff 6600 8000 6600 8001 6600
: main $8000 -1 65535 -32768 $ffff -2 ;fallthru
