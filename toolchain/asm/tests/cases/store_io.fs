\ ! = tuck! drop; io! = T N->io[T] d-1, drop; io@ = T _IORD_, io[T].
\ expect: 0001 6033 6103 6043 6103 6050 6d00
: main ! io! io@ ;fallthru
