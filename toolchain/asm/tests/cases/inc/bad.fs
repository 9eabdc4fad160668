\ an error in an included file
1 frob
