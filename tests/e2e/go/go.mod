module pftest

go 1.19
