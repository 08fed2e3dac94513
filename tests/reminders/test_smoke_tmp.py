async def test_smoke(bot):
    ana = await bot.member("Ana")
    await ana.says("/ajuda")
    print(ana.sees(""))
    await ana.says("/novo")
    print(ana.sees(""))
