\ error: 3:15 `if` is not closed at `;`
\ kind: control_structure
: main 1 if 2 ;
