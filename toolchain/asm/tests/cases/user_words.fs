\ Names that are host arithmetic outside definitions (* negate lshift) can be
\ target words; names may start with a digit once defined.
\ expect: 0005 6203 628f 0001 608c 8005 4003 0001
: * + + ;
: 1+ * ;
: negate ;
: main 5 1+ * ;
