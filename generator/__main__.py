from gitdesk.cli import main

main()
