module pmemfile.test/gounix

go 1.19
