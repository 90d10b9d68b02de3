module wazo-config/test/ctmpl

go 1.19
