\ Assembly-time arithmetic is 16-bit.
\ x = ((((2*3+1) << 4) >> 2 and $ff or $f0 xor $0f) - 1) negate invert = $f1
\ expect: 0001 80f1 8001 800a 8004 8007 800a
2 3 * 1 + 4 lshift 2 rshift $ff and $f0 or $0f xor 1 - negate invert constant x
1 2 swap - constant y
5 dup + constant z
1 2 over + + constant w
7 8 drop constant u
here 8 + constant h
: main x y z w u h ;fallthru
