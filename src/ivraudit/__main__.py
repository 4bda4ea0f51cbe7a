from ivraudit.cli import main

main()
