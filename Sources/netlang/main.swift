// netlang: the command-line tool. Thin: argv → Driver → output + exit status.
import NetLang
