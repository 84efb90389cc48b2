from soundseal.cli import main

main()
